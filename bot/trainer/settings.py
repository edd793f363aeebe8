"""The trainer's view of the settings: its own section, and the shared verifier's threshold."""

from __future__ import annotations


from bot.settings import TrainerSettings


def trainer_settings(settings: object | None = None) -> TrainerSettings:
    """``settings.trainer`` when the main Settings has it, else the defaults."""
    value = getattr(settings, "trainer", None) if settings is not None else None
    return value if isinstance(value, TrainerSettings) else TrainerSettings()


def support_threshold(settings: object | None = None) -> float:
    """The shared citation verifier's threshold: trainer override, settings.llm.support_threshold, verify default."""
    own = trainer_settings(settings).support_threshold
    if own is not None:
        return own
    llm = getattr(settings, "llm", None)
    value = getattr(llm, "support_threshold", None)
    if isinstance(value, (int, float)):
        return float(value)
    if settings is None:
        try:
            from bot.settings import Settings

            return float(Settings().llm.support_threshold)
        except Exception:  # noqa: BLE001 - settings being edited elsewhere: use the verifier's default
            pass
    from bot.answering.verify import DEFAULT_THRESHOLD

    return float(DEFAULT_THRESHOLD)
