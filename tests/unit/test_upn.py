import pytest

from desktop.domain.upn import UpnError, check_letter, is_temporary, validate_upn


def test_the_reference_upn_is_valid():
    assert validate_upn("R674123101121") == "R674123101121"


def test_spaces_and_case_are_normalised():
    assert validate_upn(" r674 1231 01121 ") == "R674123101121"


@pytest.mark.parametrize(
    ("upn", "message"),
    [
        ("R67412310112", "13 characters; 'R67412310112' has 12"),
        ("R6741231011211", "has 14"),
        ("I674123101121", "must start with a check letter"),
        ("R6A4123101121", "3-digit LA code"),
        ("R674123X01121", "characters 5-12 must be digits"),
        ("R67412310112!", "must end with a digit"),
        ("A674123101121", "check letter is wrong: expected R, got A"),
    ],
)
def test_invalid_upns_say_what_is_wrong(upn, message):
    with pytest.raises(UpnError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_upn(upn)


def test_a_temporary_upn_ends_in_a_letter_which_counts_by_its_table_index():
    body = "67412310112A"  # 'A' in position 13 takes the value 0
    upn = check_letter(body) + body
    assert validate_upn(upn) == upn
    assert is_temporary(upn)
    assert not is_temporary("R674123101121")


def test_check_letter_changes_when_a_digit_changes():
    assert check_letter("674123101121") == "R"
    assert check_letter("674123101122") != "R"
