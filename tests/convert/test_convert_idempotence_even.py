"""Converting any test script's output again is a no-op: the even-numbered half of the cases
(the other half is in test_convert_idempotence_odd.py; see tests/support/script_idempotence.py)."""
import pytest

from msbridge.convert.catalog import Catalog
from script_idempotence import CASES, assert_second_conversion_is_a_no_op, case_id

HALF = CASES[0::2]


@pytest.fixture(scope="module")
def catalog():
    return Catalog()


@pytest.mark.parametrize("path,to", HALF, ids=[case_id(c) for c in HALF])
def test_convert_properties_second_conversion_of_test_scripts_is_a_no_op(path, to, catalog):
    assert_second_conversion_is_a_no_op(path, to, catalog)
