"""A bare Flask "hello" for `make bench`: run under the portal's gunicorn
settings, its requests/s is this machine's ceiling for any Flask page, so that
the portal's figures can be compared across machines."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
