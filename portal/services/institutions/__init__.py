"""The mbo institutions as staff manage them: which are funded (bekostigd)."""
