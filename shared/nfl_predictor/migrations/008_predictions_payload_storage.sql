-- A stored prediction payload is ~80 KB of JSON written once and read whole. pglz compression of
-- it cost more than the rest of the insert together (measured: 2.6 ms vs 1.5 ms per row), and the
-- hot read path never decompresses it from here (the cache holds the bytes), so keep it out of
-- line but uncompressed. Existing rows are unaffected until rewritten.
ALTER TABLE predictions ALTER COLUMN payload SET STORAGE EXTERNAL;
