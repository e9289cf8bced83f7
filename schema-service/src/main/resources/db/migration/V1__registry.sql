-- The schema registry: subjects and their immutable versions. A version row is written once and never updated,
-- except published_at, which records that its spec-changed event reached Kafka.
CREATE TABLE subjects (
    name          text        PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'),
    compatibility text        NOT NULL DEFAULT 'BACKWARD' CHECK (compatibility IN ('BACKWARD', 'FORWARD', 'FULL', 'NONE')),
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE versions (
    subject          text        NOT NULL REFERENCES subjects (name),
    version          integer     NOT NULL CHECK (version >= 1),
    -- sha256 (hex) of the submitted bytes, exactly as received
    content_hash     text        NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    -- the submitted document, gzip-compressed (a Stripe spec is 4 MB raw, about 400 kB compressed)
    raw_spec         bytea       NOT NULL,
    spec_format      text        NOT NULL CHECK (spec_format IN ('json', 'yaml')),
    compiled_model   jsonb       NOT NULL,
    -- the classified changes against the live target at registration time, as published in spec-changed
    diff             jsonb       NOT NULL,
    target           text        NOT NULL,
    schema_name      text        NOT NULL,
    -- the objects selection given with the submission; null means the default rule
    objects          text[],
    compatibility    text        NOT NULL,
    previous_version integer,
    -- the id of the spec-changed event, derived from subject, version and hash so a retry republishes the same event
    event_id         text        NOT NULL UNIQUE,
    -- the spec-submitted event that created this version, when it came over Kafka
    source_event_id  text        UNIQUE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    published_at     timestamptz,
    PRIMARY KEY (subject, version),
    UNIQUE (subject, content_hash)
);

CREATE INDEX versions_unpublished ON versions (subject, version) WHERE published_at IS NULL;

-- Redelivery guard of the spec-submitted consumer (pg-support ProcessedEvents).
CREATE TABLE processed_events (
    consumer     text        NOT NULL,
    event_id     text        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
