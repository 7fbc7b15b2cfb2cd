"""gunicorn's entry point (`gunicorn wsgi:app`): one app, and one loaded model, per worker process."""

from predictor import create_app

app = create_app()
