"""One base error whose message is what the user sees; a few specific ones."""


class AslError(Exception):
    """Base error: its message is shown to the user as-is, without a traceback."""


class DataError(AslError):
    """The data set is missing, unreadable or in an unexpected layout."""


class WeightsError(AslError):
    """Pretrained weights are needed but cannot be found."""


class VariantError(AslError):
    """Unknown variant, unknown parameter or a value of the wrong type."""


class MetricsError(AslError):
    """A metrics.json file is missing or does not follow the schema."""


class BuildError(AslError):
    """The build could not go on (lock held, notebooks failed, ...)."""


class UsageError(AslError):
    """The command cannot do what was asked: nothing built yet, a port in use, ..."""


USAGE_ERRORS = (UsageError, DataError, VariantError, WeightsError)


def exit_code(error: AslError) -> int:
    """2 for bad usage, data, weights or variants; 1 when the work itself could not go on."""
    return 2 if isinstance(error, USAGE_ERRORS) else 1
