-- Loupe's schema, version 1: the tables of the embedded store, one SQL table
-- each. Records are JSON (`jsonb`, queryable: `body->>'kind'`) beside the
-- columns they are looked up by. Text keys sort bytewise (COLLATE "C"), as
-- the embedded store's do, so both backends give records in the same order.

-- Counters: catalog version, next product id, engines' collection counters.
CREATE TABLE meta (
    name  text COLLATE "C" PRIMARY KEY,
    value bigint NOT NULL
);

-- The store's secrets (erasure list key, unsubscribe links, checkpoints).
CREATE TABLE secrets (
    name  text COLLATE "C" PRIMARY KEY,
    value bytea NOT NULL
);

CREATE TABLE products (
    id   bigint PRIMARY KEY,
    body jsonb NOT NULL
);

CREATE TABLE product_handles (
    handle     text COLLATE "C" PRIMARY KEY,
    product_id bigint NOT NULL
);

-- Every product that has a SKU: real catalogs repeat SKUs.
CREATE TABLE product_skus (
    sku        text COLLATE "C" NOT NULL,
    product_id bigint NOT NULL,
    PRIMARY KEY (sku, product_id)
);

CREATE TABLE order_lines (
    order_id   text COLLATE "C" NOT NULL,
    line_no    bigint NOT NULL,
    ordered_at bigint NOT NULL,
    body       jsonb NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_lines_by_time ON order_lines (ordered_at, order_id, line_no);

CREATE TABLE inventory (
    sku      text COLLATE "C" NOT NULL,
    location text COLLATE "C" NOT NULL,
    as_of    bigint NOT NULL,
    body     jsonb NOT NULL,
    PRIMARY KEY (sku, location, as_of)
);

-- Storefront events, partitioned by month of `at` (Unix ms). A partition is
-- made by the first event of its month; `events_outside` holds the rare
-- event before 1900 or after 9999.
CREATE TABLE events (
    at   bigint NOT NULL,
    id   text COLLATE "C" NOT NULL,
    body jsonb NOT NULL,
    PRIMARY KEY (at, id)
) PARTITION BY RANGE (at);
CREATE TABLE events_outside PARTITION OF events DEFAULT;

-- Event id -> at: deduplication across partitions.
CREATE TABLE event_ids (
    id text COLLATE "C" PRIMARY KEY,
    at bigint NOT NULL
);

-- Keyed hashes of forgotten customers (see the store's `erasure`).
CREATE TABLE erased_customers (
    hash text COLLATE "C" PRIMARY KEY,
    at   bigint NOT NULL
);
CREATE TABLE erased_customers_sha256 (
    hash text COLLATE "C" PRIMARY KEY,
    at   bigint NOT NULL
);

CREATE TABLE docs (
    collection text COLLATE "C" NOT NULL,
    key        text COLLATE "C" NOT NULL,
    json       text NOT NULL,
    PRIMARY KEY (collection, key)
);

CREATE TABLE tasks (
    id   text COLLATE "C" PRIMARY KEY,
    json text NOT NULL
);

CREATE TABLE api_keys (
    id   bigint PRIMARY KEY,
    body jsonb NOT NULL
);

CREATE TABLE tickets (
    id   text COLLATE "C" PRIMARY KEY,
    body jsonb NOT NULL
);

CREATE TABLE outbox (
    id      text COLLATE "C" PRIMARY KEY,
    pending boolean NOT NULL,
    next_ms bigint NOT NULL,
    body    jsonb NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_ms, id) WHERE pending;

-- The hash-chained decision log and the audit log.
CREATE TABLE decisions (
    seq  bigint PRIMARY KEY,
    body jsonb NOT NULL
);
CREATE TABLE audit (
    seq  bigint PRIMARY KEY,
    body jsonb NOT NULL
);
