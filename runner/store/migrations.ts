/**
 * Numbered schema migrations: migration N is `migrations[N - 1]`, and `PRAGMA user_version` holds the number of
 * the last one applied. Append new migrations; never edit one that has shipped.
 *
 * Raw samples only: `metrics` is the long table every figure is computed from; summaries are derived, never stored.
 */
export const migrations: readonly string[] = [
    // 1: runs, configs, measurements, metrics (raw samples), rss samples
    `
    CREATE TABLE runs (
        id            TEXT PRIMARY KEY,
        suite_name    TEXT NOT NULL,
        suite_path    TEXT NOT NULL,
        suite_sha256  TEXT NOT NULL,
        started_at    TEXT NOT NULL,
        finished_at   TEXT,
        status        TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
        git_commit    TEXT,
        git_dirty     INTEGER CHECK (git_dirty IN (0, 1)),
        machine       TEXT NOT NULL CHECK (json_valid(machine))
    ) STRICT;
    CREATE INDEX runs_started_at ON runs (started_at);

    CREATE TABLE configs (
        run_id          TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        id              TEXT NOT NULL,
        -- order of first save within the run; kept when a config is saved again (--resume)
        position        INTEGER NOT NULL,
        label           TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'crashed', 'timeout', 'skipped')),
        error           TEXT,
        model           TEXT CHECK (model IS NULL OR json_valid(model)),
        params          TEXT NOT NULL CHECK (json_valid(params)),
        load_ms         REAL,
        peak_rss_bytes  INTEGER,
        vram_bytes      INTEGER,
        outputs         TEXT NOT NULL CHECK (json_valid(outputs)),
        warnings        TEXT NOT NULL CHECK (json_valid(warnings)),
        stderr          TEXT,
        started_at      TEXT NOT NULL,
        finished_at     TEXT NOT NULL,
        PRIMARY KEY (run_id, id),
        UNIQUE (run_id, position)
    ) STRICT;

    CREATE TABLE measurements (
        id              INTEGER PRIMARY KEY,
        run_id          TEXT NOT NULL,
        config_id       TEXT NOT NULL,
        kind            TEXT NOT NULL CHECK (kind IN ('prompt', 'pp', 'tg', 'pg')),
        prompt          TEXT NOT NULL,
        rep             INTEGER NOT NULL CHECK (rep >= 0),
        -- ms from submitting the prompt to each generated token (stream mode): the samples behind ttft and ITL
        token_times_ms  TEXT CHECK (token_times_ms IS NULL OR json_valid(token_times_ms)),
        FOREIGN KEY (run_id, config_id) REFERENCES configs (run_id, id) ON DELETE CASCADE,
        UNIQUE (run_id, config_id, prompt, rep)
    ) STRICT;

    -- the raw samples: one row per (measurement, metric); NaN binds as NULL and is refused, as is ±Infinity
    CREATE TABLE metrics (
        measurement_id  INTEGER NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
        name            TEXT NOT NULL,
        value           REAL NOT NULL CHECK (abs(value) <= 1.7976931348623157e308),
        PRIMARY KEY (measurement_id, name)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE rss_samples (
        run_id     TEXT NOT NULL,
        config_id  TEXT NOT NULL,
        seq        INTEGER NOT NULL,
        t_ms       REAL NOT NULL,
        bytes      INTEGER NOT NULL,
        phase      TEXT NOT NULL CHECK (phase IN ('idle', 'load', 'warmup', 'prefill', 'decode', 'unload')),
        PRIMARY KEY (run_id, config_id, seq),
        FOREIGN KEY (run_id, config_id) REFERENCES configs (run_id, id) ON DELETE CASCADE
    ) STRICT, WITHOUT ROWID;

    -- every raw sample with what it belongs to: what the report and compare read
    CREATE VIEW samples AS
    SELECT m.run_id, m.config_id, c.label, c.status AS config_status, m.kind, m.prompt, m.rep,
           x.name AS metric, x.value
    FROM metrics x
    JOIN measurements m ON m.id = x.measurement_id
    JOIN configs c ON c.run_id = m.run_id AND c.id = m.config_id;
    `,
    // 2: where a config's wall time went besides the measured runs: child start and warm-up (model load is load_ms)
    `
    ALTER TABLE configs ADD COLUMN start_ms REAL;
    ALTER TABLE configs ADD COLUMN warmup_ms REAL;
    `,
    // 3: \`params\` holds what ran; \`asked\` what was asked where it differs (a context node-llama-cpp rounded, a batch
    // capped to the context, \`auto\` resolved); NULL for configs saved before this column
    `
    ALTER TABLE configs ADD COLUMN asked TEXT CHECK (asked IS NULL OR json_valid(asked));
    `,
    // 4: the run files are the record (schema 2) and the database a cache of them: a run's shard of its suite, the
    // run file it was imported from (null: recorded here by bench), and configs whose start and end are unknown
    // (schema-1 run files did not record them), which needs the configs table rebuilt (runs with foreign keys off)
    `
    ALTER TABLE runs ADD COLUMN shard_index INTEGER CHECK (shard_index >= 1);
    ALTER TABLE runs ADD COLUMN shard_count INTEGER CHECK (shard_count >= 1);
    ALTER TABLE runs ADD COLUMN source TEXT;

    DROP VIEW samples;
    CREATE TABLE configs_new (
        run_id          TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        id              TEXT NOT NULL,
        position        INTEGER NOT NULL,
        label           TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'crashed', 'timeout', 'skipped')),
        error           TEXT,
        model           TEXT CHECK (model IS NULL OR json_valid(model)),
        params          TEXT NOT NULL CHECK (json_valid(params)),
        load_ms         REAL,
        peak_rss_bytes  INTEGER,
        vram_bytes      INTEGER,
        outputs         TEXT NOT NULL CHECK (json_valid(outputs)),
        warnings        TEXT NOT NULL CHECK (json_valid(warnings)),
        stderr          TEXT,
        started_at      TEXT,
        finished_at     TEXT,
        start_ms        REAL,
        warmup_ms       REAL,
        asked           TEXT CHECK (asked IS NULL OR json_valid(asked)),
        PRIMARY KEY (run_id, id),
        UNIQUE (run_id, position)
    ) STRICT;
    INSERT INTO configs_new (run_id, id, position, label, status, error, model, params, load_ms, peak_rss_bytes, vram_bytes,
                             outputs, warnings, stderr, started_at, finished_at, start_ms, warmup_ms, asked)
    SELECT run_id, id, position, label, status, error, model, params, load_ms, peak_rss_bytes, vram_bytes,
           outputs, warnings, stderr, started_at, finished_at, start_ms, warmup_ms, asked
    FROM configs;
    DROP TABLE configs;
    ALTER TABLE configs_new RENAME TO configs;

    CREATE VIEW samples AS
    SELECT m.run_id, m.config_id, c.label, c.status AS config_status, m.kind, m.prompt, m.rep,
           x.name AS metric, x.value
    FROM metrics x
    JOIN measurements m ON m.id = x.measurement_id
    JOIN configs c ON c.run_id = m.run_id AND c.id = m.config_id;
    `,
    // 5: a config's quality pass (the suite's quality: block) and its raw samples, one row per scored position; RSS
    // samples may be tagged with the `quality` phase (SQLite cannot alter a CHECK, so that table is rebuilt)
    `
    CREATE TABLE quality (
        run_id          TEXT NOT NULL,
        config_id       TEXT NOT NULL,
        corpus          TEXT NOT NULL,
        corpus_sha256   TEXT NOT NULL,
        context         INTEGER NOT NULL CHECK (context > 0),
        chunks          INTEGER NOT NULL CHECK (chunks > 0),
        corpus_tokens   INTEGER NOT NULL,
        -- null: perplexity only; else the model compared with (name, file, sha256, topK, cache key and size)
        reference       TEXT CHECK (reference IS NULL OR json_valid(reference)),
        ms              REAL NOT NULL,
        peak_rss_bytes  INTEGER NOT NULL,
        PRIMARY KEY (run_id, config_id),
        FOREIGN KEY (run_id, config_id) REFERENCES configs (run_id, id) ON DELETE CASCADE
    ) STRICT;

    -- the raw samples of a quality pass: what every quality figure is computed from (runner/stats/qualityFigures.ts)
    CREATE TABLE quality_positions (
        run_id     TEXT NOT NULL,
        config_id  TEXT NOT NULL,
        pos        INTEGER NOT NULL CHECK (pos >= 0),
        token      INTEGER NOT NULL,
        nll        REAL NOT NULL,
        top1       INTEGER NOT NULL,
        nll_ref    REAL,
        top1_ref   INTEGER,
        kld        REAL,
        tail_ref   REAL,
        PRIMARY KEY (run_id, config_id, pos),
        FOREIGN KEY (run_id, config_id) REFERENCES quality (run_id, config_id) ON DELETE CASCADE
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE rss_samples_new (
        run_id     TEXT NOT NULL,
        config_id  TEXT NOT NULL,
        seq        INTEGER NOT NULL,
        t_ms       REAL NOT NULL,
        bytes      INTEGER NOT NULL,
        phase      TEXT NOT NULL CHECK (phase IN ('idle', 'load', 'warmup', 'prefill', 'decode', 'quality', 'unload')),
        PRIMARY KEY (run_id, config_id, seq),
        FOREIGN KEY (run_id, config_id) REFERENCES configs (run_id, id) ON DELETE CASCADE
    ) STRICT, WITHOUT ROWID;
    INSERT INTO rss_samples_new SELECT run_id, config_id, seq, t_ms, bytes, phase FROM rss_samples;
    DROP TABLE rss_samples;
    ALTER TABLE rss_samples_new RENAME TO rss_samples;
    `,
    // 6 (issue 17): what the machine was doing while a config ran (runner/exec/machineLoad.ts); NULL: not recorded
    `
    ALTER TABLE configs ADD COLUMN machine_load TEXT CHECK (machine_load IS NULL OR json_valid(machine_load));
    `,
    // 7 (issue 20): the engine a config ran on (null: not recorded), and the \`engine\` setting in the params of
    // configs saved before it existed, which all ran the default
    `
    ALTER TABLE configs ADD COLUMN engine TEXT CHECK (engine IS NULL OR json_valid(engine));
    UPDATE configs SET params = json_set(params, '$.engine', 'prebuilt') WHERE json_type(params, '$.engine') IS NULL;
    `,
    // 8 (issue #21): parallel (serving-load) tests: measurements of kind `parallel` (SQLite cannot alter a CHECK, so the
    // table is rebuilt, ids kept for the metrics that point at them) with every sequence's token times, and a config's
    // parallel tests as asked (their knee settings); null for configs without any
    `
    DROP VIEW samples;
    CREATE TABLE measurements_new (
        id                 INTEGER PRIMARY KEY,
        run_id             TEXT NOT NULL,
        config_id          TEXT NOT NULL,
        kind               TEXT NOT NULL CHECK (kind IN ('prompt', 'pp', 'tg', 'pg', 'parallel')),
        prompt             TEXT NOT NULL,
        rep                INTEGER NOT NULL CHECK (rep >= 0),
        token_times_ms     TEXT CHECK (token_times_ms IS NULL OR json_valid(token_times_ms)),
        -- a parallel level: per sequence, ms from the level's start to each of its tokens (JSON list of lists)
        sequence_times_ms  TEXT CHECK (sequence_times_ms IS NULL OR json_valid(sequence_times_ms)),
        FOREIGN KEY (run_id, config_id) REFERENCES configs (run_id, id) ON DELETE CASCADE,
        UNIQUE (run_id, config_id, prompt, rep)
    ) STRICT;
    INSERT INTO measurements_new (id, run_id, config_id, kind, prompt, rep, token_times_ms)
    SELECT id, run_id, config_id, kind, prompt, rep, token_times_ms FROM measurements;
    DROP TABLE measurements;
    ALTER TABLE measurements_new RENAME TO measurements;

    ALTER TABLE configs ADD COLUMN parallel TEXT CHECK (parallel IS NULL OR json_valid(parallel));

    CREATE VIEW samples AS
    SELECT m.run_id, m.config_id, c.label, c.status AS config_status, m.kind, m.prompt, m.rep,
           x.name AS metric, x.value
    FROM metrics x
    JOIN measurements m ON m.id = x.measurement_id
    JOIN configs c ON c.run_id = m.run_id AND c.id = m.config_id;
    `
];
