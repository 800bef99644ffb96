-- The SQL shape of one QT-09 action (prepare or accept): two row locks, two updates, two inserts.
\set a random(1, :rows)
\set b :a + :rows
BEGIN;
SELECT quantity FROM bench_balance WHERE id = :a FOR NO KEY UPDATE;
SELECT quantity FROM bench_balance WHERE id = :b FOR NO KEY UPDATE;
UPDATE bench_balance SET quantity = quantity - 1 WHERE id = :a;
UPDATE bench_balance SET quantity = quantity + 1 WHERE id = :b;
INSERT INTO bench_movement (from_id, to_id, quantity, at) VALUES (:a, :b, 1, now());
INSERT INTO bench_event (movement_from, action, at) VALUES (:a, 'move', now());
END;
