# One image for every fazhi service (migrate, scheduler, worker, web): the project and a Chromium.
FROM python:3.11-slim-bookworm

# Debian's Chromium renders the JavaScript listings (Playwright drives it; no browser download).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . /app
# Editable: `fazhi db upgrade` reads the migrations from /app/alembic.
RUN pip install --no-cache-dir --upgrade pip && pip install --no-cache-dir -e .

ENV FAZHI_BROWSER=/usr/bin/chromium \
    FAZHI_DATA_DIR=/data
VOLUME ["/data"]
ENTRYPOINT ["fazhi"]
CMD ["--help"]
