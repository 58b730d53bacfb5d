-- drpwatch schema, migration 002: known-benign labels on findings, and
-- source reliability as a number (0-100) that feeds stored confidences.

-- The label of a known-benign value ('documentation', 'own-asset', ...;
-- extract/benign.txt), or NULL. Alert rules skip such findings.
ALTER TABLE findings ADD COLUMN benign text;

-- Admiralty letters become numbers: A 100, B 80, C 60, D 40, E 20,
-- F (cannot be judged) 50, the default.
ALTER TABLE sources ALTER COLUMN reliability DROP DEFAULT;
ALTER TABLE sources ALTER COLUMN reliability TYPE integer USING
    CASE reliability
        WHEN 'A' THEN 100 WHEN 'B' THEN 80 WHEN 'C' THEN 60
        WHEN 'D' THEN 40 WHEN 'E' THEN 20 ELSE 50
    END;
ALTER TABLE sources ALTER COLUMN reliability SET DEFAULT 50;
ALTER TABLE sources ADD CONSTRAINT sources_reliability_range
    CHECK (reliability BETWEEN 0 AND 100);
