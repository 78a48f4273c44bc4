-- A small EasyMO-like database for drills on the local stack: users, transactions and messages with
-- foreign keys, indexes and row-level security, the shape the validation checklist looks at.
CREATE TABLE users (
  id          bigserial PRIMARY KEY,
  phone       text NOT NULL UNIQUE,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE transactions (
  id          bigserial PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  amount      numeric(12,2) NOT NULL CHECK (amount <> 0),
  currency    text NOT NULL DEFAULT 'RWF',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX transactions_user_id_idx ON transactions(user_id);
CREATE INDEX transactions_created_at_idx ON transactions(created_at);

CREATE TABLE messages (
  id          bigserial PRIMARY KEY,
  sender_id   bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  body        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_sender_id_idx ON messages(sender_id);

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE transactions ENABLE ROW LEVEL SECURITY;
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_self ON users USING (id::text = current_setting('app.user_id', true));
CREATE POLICY transactions_owner ON transactions USING (user_id::text = current_setting('app.user_id', true));
CREATE POLICY messages_sender ON messages USING (sender_id::text = current_setting('app.user_id', true));

INSERT INTO users (phone, name, created_at)
SELECT '+2507' || lpad(g::text, 8, '0'), 'user ' || g, now() - (g || ' minutes')::interval
FROM generate_series(1, 2000) AS g;

INSERT INTO transactions (user_id, amount, created_at)
SELECT 1 + (g % 2000), round((random() * 10000 + 1)::numeric, 2), now() - (g || ' seconds')::interval
FROM generate_series(1, 20000) AS g;

INSERT INTO messages (sender_id, body, created_at)
SELECT 1 + (g % 2000), 'message ' || g, now() - (g || ' seconds')::interval
FROM generate_series(1, 10000) AS g;
