from portal.services.accounts.passwords import hash_password, password_policy_errors, verify_password


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
