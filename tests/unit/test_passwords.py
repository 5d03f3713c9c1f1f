from pathlib import Path

import pytest

from portal.devdata.generator import SYNTHETIC_PASSWORD
from portal.services.accounts.passwords import (
    COMMON,
    GUESSABLE,
    PERSONAL,
    hash_password,
    password_policy_errors,
    verify_password,
)
from seeds.demo import DEMO_PASSWORD
from tests.factories import PASSWORD

EMAIL, NAME = "lange.naam@example.org", "Lange Naam"


def test_argon2id_hash_and_verify():
    h = hash_password("een lang wachtwoord")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "een lang wachtwoord")
    assert not verify_password(h, "een ander wachtwoord")
    assert not verify_password(None, "een lang wachtwoord")
    assert not verify_password("geen-hash", "x")


def test_policy():
    assert password_policy_errors("kort") == ["Een wachtwoord heeft minstens 12 tekens."]
    assert password_policy_errors("iemand@example.org", "Iemand@Example.org")
    assert password_policy_errors("twaalf tekens!") == []


@pytest.mark.parametrize("password", [
    "123456789012", "wachtwoord12", "welkom123456",        # the list, and a list word with digits
    "Wachtwoord2026!", "Welkom2026!!", "2026welkom!!",     # zxcvbn alone scores the last two 4
    "P@ssw0rd1234", "qwertyuiop12", "iloveyou1234",        # l33t, keyboard walk
    "Leerroute2026!", "portaal123456",                     # the portal's own words
])
def test_common_and_breached_passwords_and_their_variations_are_refused(password):
    assert password_policy_errors(password, EMAIL, NAME) == [COMMON]


@pytest.mark.parametrize("password", ["lange.naam2026", "LangeNaam1234", "!!langenaam!!", "lange.naam@example.org1",
                                      "example-2026-04"])
def test_the_accounts_own_email_or_name_with_a_little_around_it_is_refused(password):
    assert password_policy_errors(password, EMAIL, NAME) == [PERSONAL]


def test_the_personal_check_uses_the_account_it_is_given():
    """The control for the test above: the same password for another account is fine."""
    assert password_policy_errors("lange.naam2026", "iemand@school.nl", "Iemand Anders") == []
    assert password_policy_errors("lange.naam2026", EMAIL, NAME) == [PERSONAL]


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "abcdefghijkl", "01-02-2003-04", "x" * 200])
def test_sequences_repeats_and_dates_are_refused(password):
    assert password_policy_errors(password, EMAIL, NAME) == [GUESSABLE]


@pytest.mark.parametrize("password", [
    DEMO_PASSWORD, SYNTHETIC_PASSWORD, PASSWORD, "twaalf tekns", "ik zie de maan schijnen",
    "bench-wachtwoord-lang-genoeg", "een lang genoeg wachtwoord",
    "x" * 100 + "Kq8#vLm2!pZt",  # zxcvbn reads 72 characters: the last 72 are strong
])
def test_strong_passwords_and_the_ones_the_portal_ships_are_accepted(password):
    assert password_policy_errors(password, EMAIL, NAME) == []


def test_the_word_lists_are_loaded_on_the_first_password_check_not_with_the_app(tmp_path):
    """Issue 21 (worker memory): zxcvbn and its lists are 12 MB in every worker
    that never sees a password being set. The control: a check loads them."""
    import subprocess
    import sys
    script = ("import sys\nfrom portal import create_app\ncreate_app()\nprint('zxcvbn' in sys.modules)\n"
              "from portal.services.accounts.passwords import password_policy_errors\n"
              "password_policy_errors('paard-nietje-batterij-kraan')\nprint('zxcvbn' in sys.modules)\n")
    env = {"SECRET_KEY": "test-secret-key-for-the-import-check-0123456789", "PATH": "/usr/bin:/bin",
           "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite3", "PORTAL_INSTANCE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.split() == ["False", "True"], out.stderr[-2000:]
