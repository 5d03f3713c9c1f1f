"""Regioplannen: rounds, plan regions, plans, their assessment and follow-up."""
