# the browser test saves screenshots like the e2e tests do
from tests.e2e.conftest import screenshot  # noqa: F401
