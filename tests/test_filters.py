"""Filters are built and checked in the library: Python callers get the CLI's errors, every command the same options."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from claimtrack.cli import app
from claimtrack.errors import InputError
from claimtrack.filters import FilterError, Filters, actor_kind, country_code


def test_country_names_become_iso_codes_in_the_order_given():
    filters = Filters.build(countries=["Kazakhstan", "rus", "cn"])
    assert filters.countries == ("KZ", "RU", "CN")


def test_a_misspelt_country_is_an_error_with_the_closest_guess():
    with pytest.raises(InputError, match=r"unknown country 'Kazakstan'; did you mean KZ \(Kazakhstan\)\?"):
        Filters.build(countries=["Kazakstan"])


@pytest.mark.parametrize(
    "arguments, field",
    [
        ({"since": "May 2022"}, "since"),
        ({"until": "2022-5"}, "until"),
        ({"until": "2022-05-01T10:00"}, "until"),
        ({"role": "author"}, "role"),
        ({"by": "document"}, "by"),
    ],
)
def test_a_bad_value_names_its_filter(arguments, field):
    with pytest.raises(FilterError) as raised:
        Filters.build(**arguments)
    assert raised.value.field == field
    assert str(raised.value).startswith(f"{field} ")


def test_partial_dates_and_the_document_date_basis_are_kept():
    filters = Filters.build(since="2022", until="2022-05", by="doc", source="carnegie", actors=("Tokayev",))
    assert (filters.since, filters.until, filters.by_document_date) == ("2022", "2022-05", True)
    assert (filters.source, filters.actors) == ("carnegie", ("Tokayev",))


def test_empty_values_mean_no_filter():
    assert Filters.build(source="", since="", until=None) == Filters()


def test_actor_kinds_are_checked():
    assert actor_kind("organisation") == "organisation"
    with pytest.raises(FilterError, match="kind is one of person, organisation"):
        actor_kind("company")
    assert country_code("Kazakhstan") == "KZ"


@pytest.mark.parametrize(
    "command, options",
    [
        (["search", "x"], ["--source", "--country", "--actor", "--role", "--since", "--until", "--by"]),
        (["export"], ["--source", "--country", "--actor", "--role", "--since", "--until", "--by"]),
        (["dupes"], ["--source", "--country", "--actor", "--role", "--since", "--until", "--by"]),
        (["timeline"], ["--source", "--country", "--actor", "--role", "--since", "--until"]),
        (["variants"], ["--source", "--country", "--actor", "--since", "--until"]),
    ],
)
def test_every_listing_command_takes_its_filters_and_reports_bad_ones_alike(command, options):
    help_text = CliRunner().invoke(app, [command[0], "--help"], terminal_width=200).output
    for option in options:
        assert f" {option} " in help_text, (command, option)
    result = CliRunner().invoke(app, [*command, "--since", "last week"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: --since takes YYYY, YYYY-MM or YYYY-MM-DD, not 'last week'"


def test_a_filtered_command_applies_its_filters(tmp_path):
    from corpora import SEEDS

    db = str(tmp_path / "seeds.db")
    assert CliRunner().invoke(app, ["--db", db, "ingest", str(SEEDS)]).exit_code == 0
    every = CliRunner().invoke(app, ["--db", db, "export", "--format", "json"]).stdout
    about_china = CliRunner().invoke(app, ["--db", db, "export", "--format", "json", "--country", "China"]).stdout
    assert 0 < about_china.count('"id"') < every.count('"id"')
    assert all("CN" in line for line in about_china.split('"id"')[1:])


def test_serve_help_names_the_extra_to_install():
    help_text = CliRunner().invoke(app, ["serve", "--help"], terminal_width=200).output
    assert "pip install 'claimtrack[serve]'" in help_text
