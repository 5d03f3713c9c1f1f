"""Learning routes (leerroutes): writes, CSV import/export, the list and its filters."""
