"""WSGI entry point: gunicorn "wsgi:app"."""
from portal import create_app
from portal.web.flask_app import settle_for_serving

app = create_app(migrations=False)  # `flask --app wsgi db …` still works: it sets them up when asked

# Everything loaded so far lives as long as the worker: frozen, the garbage
# collector no longer walks it on every full collection (a page that makes many
# objects, the map at national scale, spent about a third of its time there);
# and the youngest generation is collected less often (portal/web/flask_app.py).
settle_for_serving()
