-- The read limit: one statement returning three rows.
SELECT id, allocated - reserved - sold AS available FROM bench_three ORDER BY id;
