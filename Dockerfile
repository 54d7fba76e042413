# Fraud scoring service: `docker build -t fraud-scoring .`
# The same image trains (`python -m training ...`) and serves (the CMD below).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    ARTIFACTS_DIR=/srv/artifacts/current

WORKDIR /app

# Dependencies first, read from pyproject.toml: this layer is rebuilt only when the
# dependency list changes, not on every code change.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY README.md ./
COPY bundle ./bundle
COPY training ./training
COPY service ./service
RUN pip install --no-deps .

# Run as an unprivileged user; the bundle volume is mounted at /srv/artifacts and
# inherits this directory's owner when Docker first creates it.
RUN useradd --create-home --uid 10001 app \
    && mkdir -p /srv/artifacts \
    && chown app:app /srv/artifacts
USER app

EXPOSE 8000

HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/ready', timeout=2)"]

# `python -m service` starts uvicorn with the bundle at ARTIFACTS_DIR. Each worker
# holds its own TensorFlow runtime (~600 MB), so the count is explicit here rather
# than one per CPU of a possibly large host: scale with more containers, or change it.
CMD ["python", "-m", "service", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
