-- The schema, applied by the one-shot `migrate` service before the app starts (psql --single-transaction).
-- Each version runs once: schema_version records what was applied, so a second run changes nothing.
CREATE TABLE IF NOT EXISTS schema_version (
  version integer PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM schema_version WHERE version = 1) THEN
    CREATE TABLE todos (
      id bigserial PRIMARY KEY,
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
      done boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO todos (title, done) VALUES
      ('bring the stack up: tsstack -f examples/todo/compose.yaml up -d --wait', true),
      ('add a todo: curl -d title=milk http://127.0.0.1:18088/api/todos', false),
      ('roll the app: APP_VERSION=2 tsstack -f examples/todo/compose.yaml up -d', false);
    INSERT INTO schema_version (version) VALUES (1);
  END IF;
END
$$;
