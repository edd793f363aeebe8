"""The page's CSS (answers, source chips, the passage viewer, phone-width layout)."""

CSS = r"""
.gradio-container { max-width: 1100px !important; margin: 0 auto !important; }
footer { display: none !important; }
#hd-header h1 { margin-bottom: 0.2em; }
#hd-header p { margin-top: 0; color: var(--body-text-color-subdued); }
#login-row { align-items: flex-end; }
#login-row > button { max-height: 44px; margin-bottom: 2px; }

/* Answers */
.hd-answer { display: flex; flex-direction: column; gap: 0.45em; }
.hd-text { line-height: 1.55; }
.hd-text.hd-refused { font-style: italic; }
.hd-ref { text-decoration: none !important; font-weight: 600; color: var(--color-accent) !important;
          font-size: 0.85em; vertical-align: super; padding: 0 1px; cursor: pointer; }
.hd-sources { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.hd-sources-label { font-size: 0.85em; font-weight: 600; margin-right: 2px; }
a.hd-chip { display: inline-flex; align-items: center; gap: 6px; max-width: 100%; padding: 3px 10px 3px 3px;
            border-radius: 999px; border: 1px solid var(--border-color-accent, #c7d2fe);
            background: var(--background-fill-secondary); color: var(--body-text-color) !important;
            text-decoration: none !important; font-size: 0.85em; cursor: pointer; }
a.hd-chip:hover { border-color: var(--color-accent); }
.hd-chip-n { display: inline-flex; justify-content: center; align-items: center; min-width: 1.6em; height: 1.6em;
             border-radius: 999px; background: var(--color-accent); color: #fff; font-weight: 700; font-size: 0.9em; }
.hd-chip-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.hd-meta { font-size: 0.78em; color: var(--body-text-color-subdued); }
.hd-caution, .hd-fallback { padding: 4px 8px; border-radius: 6px; background: #fff7e6; color: #8a5300; }
.hd-caution { font-size: 0.85em; margin-bottom: 4px; }
.hd-fallback { font-size: 0.82em; }
.hd-actions { display: flex; flex-wrap: wrap; gap: 12px; font-size: 0.82em; }
a.hd-act { text-decoration: none !important; color: var(--body-text-color-subdued) !important; cursor: pointer;
           padding: 2px 6px; border-radius: 6px; }
a.hd-act:hover { background: var(--background-fill-secondary); }
a.hd-act.hd-on { background: var(--color-accent-soft, #e0e7ff); color: var(--body-text-color) !important;
                 font-weight: 600; }
.hd-cursor { animation: hd-blink 1s steps(2, start) infinite; }
@keyframes hd-blink { to { visibility: hidden; } }
#hd-bridge { display: none; }

/* Passage viewer: a dialog over the page */
#hd-viewer.hd-overlay { position: fixed; z-index: 1000; top: 4vh; left: 50%; transform: translateX(-50%);
  width: min(860px, 94vw); max-height: 90vh; overflow-y: auto; background: var(--background-fill-primary);
  border: 1px solid var(--border-color-primary); border-radius: 12px; padding: 12px 16px;
  box-shadow: 0 0 0 100vmax rgba(15, 23, 42, 0.45), 0 12px 40px rgba(0, 0, 0, 0.3); }
#hd-viewer-bar { position: sticky; top: -12px; background: var(--background-fill-primary); z-index: 2;
  padding-top: 4px; align-items: center; }
.hd-viewer-head { margin-bottom: 10px; }
.hd-viewer-title { font-weight: 700; font-size: 1.1em; }
.hd-viewer-facts, .hd-viewer-where, .hd-viewer-file { font-size: 0.88em; color: var(--body-text-color-subdued); }
.hd-viewer-text { white-space: pre-wrap; line-height: 1.6; font-size: 0.95em; padding: 10px 12px; border-radius: 8px;
  background: var(--background-fill-secondary); overflow-wrap: anywhere; }
.hd-fulltext { max-height: 62vh; overflow-y: auto; }
mark.hd-mark { background: #fde68a; color: #111; padding: 1px 0; border-radius: 2px; }
.hd-missing { color: var(--body-text-color-subdued); }

/* Tables of the library */
.hd-table-wrap { overflow-x: auto; max-height: 520px; overflow-y: auto; border: 1px solid var(--border-color-primary);
  border-radius: 8px; }
table.hd-table { width: 100%; border-collapse: collapse; font-size: 0.88em; }
table.hd-table th { position: sticky; top: 0; background: var(--background-fill-secondary); text-align: left;
  padding: 6px 8px; font-weight: 600; white-space: nowrap; }
table.hd-table td { padding: 6px 8px; border-top: 1px solid var(--border-color-primary); vertical-align: top; }
table.hd-table .hd-file { font-size: 0.92em; word-break: break-all; }
.hd-sub { font-size: 0.85em; color: var(--body-text-color-subdued); }
.hd-empty { padding: 10px; color: var(--body-text-color-subdued); }

/* Reports */
.hd-report ul { margin: 0.3em 0; padding-left: 1.2em; }
.hd-ok { color: var(--body-text-color); }
.hd-err { color: #b42318; }

/* Phone width */
@media (max-width: 640px) {
  .gradio-container { padding: 6px !important; }
  #hd-header h1 { font-size: 1.35em; }
  #hd-chat { height: 62vh !important; }
  #hd-chat-tools button { flex: 1 1 45%; min-width: 0 !important; font-size: 0.8em; }
  #hd-viewer.hd-overlay { top: 0; width: 100vw; max-height: 100vh; height: 100vh; border-radius: 0; padding: 8px; }
  .hd-fulltext { max-height: 70vh; }
  .hd-chip-label { white-space: normal; }
  .hd-table-wrap { max-height: none; }
  table.hd-table thead { display: none; }
  table.hd-table tr { display: block; border-top: 1px solid var(--border-color-primary); padding: 4px 0; }
  table.hd-table td { display: flex; gap: 8px; border: 0; padding: 2px 8px; }
  table.hd-table td::before { content: attr(data-label); flex: 0 0 34%; font-weight: 600;
    color: var(--body-text-color-subdued); }
  table.hd-table td:empty { display: none; }
}
"""
