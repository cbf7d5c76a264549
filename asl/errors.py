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
