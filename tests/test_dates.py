from datetime import date

import pytest

from index.input.dates import DatePrecision, find_dates_in_question, find_months_in_question, parse_date


def test_month_precision_is_kept_and_never_shown_as_a_day() -> None:
    month = parse_date("2020-09")
    assert month.precision is DatePrecision.MONTH
    assert month.iso() == "2020-09"
    assert month.display() == "September 2020"
    assert month.first_day() == date(2020, 9, 1)
    assert month.last_day() == date(2020, 9, 30)


def test_day_precision() -> None:
    day = parse_date("2020-09-27")
    assert (day.iso(), day.display(), day.precision) == ("2020-09-27", "27 September 2020", DatePrecision.DAY)


@pytest.mark.parametrize("bad", ["2020-13", "2020-02-30", "27-09-2020", "yesterday"])
def test_invalid_dates_raise_with_the_text(bad: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_date(bad)


def test_dates_named_in_dutch_and_english_questions() -> None:
    assert find_dates_in_question("Wat gebeurde er op 10 november 2020?") == [date(2020, 11, 10)]
    assert find_dates_in_question("What happened on 27 September?", default_year=2020) == [date(2020, 9, 27)]
    assert find_dates_in_question("What happened on October 4th, 2020?") == [date(2020, 10, 4)]
    assert find_dates_in_question("What happened on 27 September?") == []
    assert find_dates_in_question("Wie won de oorlog?") == []


def test_months_named_without_a_day() -> None:
    assert find_months_in_question("What happened to the Lachin corridor in December 2022?") == [(2022, 12)]
    assert find_months_in_question("Hoeveel mensen vluchtten in september 2023 uit Karabach?") == [(2023, 9)]
    assert find_months_in_question("Wat gebeurde er op 10 november 2020?") == []
