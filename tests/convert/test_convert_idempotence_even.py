"""Converting any test script's output again is a no-op: the even-numbered half of the cases
(the other half: test_convert_idempotence_odd.py; why two files: tests/support/script_idempotence.py)."""
from script_idempotence import catalog, idempotence_test  # noqa: F401 (catalog: the module-scoped fixture)

test_convert_properties_second_conversion_of_test_scripts_is_a_no_op = idempotence_test(half=0)
