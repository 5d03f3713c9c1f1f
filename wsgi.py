"""WSGI entry point: gunicorn "wsgi:app"."""
import gc

from portal import create_app

app = create_app(migrations=False)  # `flask --app wsgi db …` still works: it sets them up when asked

# Everything loaded so far (the app, SQLAlchemy's mappers, the templates'
# modules ...) lives as long as the worker. Frozen, the garbage collector no
# longer walks it on every full collection: a page that makes many objects
# (the map at national scale) spent about a third of its time there.
gc.freeze()
