"""A vmbo school's offer: DUO's figures and the school's own statement."""
