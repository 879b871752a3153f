-- Zou 1.0.97's comment link tables: the people (`comment_mentions`) and
-- departments (`comment_department_mentions`) a comment's text mentions,
-- and the people who acknowledged it (Zou's `comment_acknoledgments`).
-- Fennec names the columns `<model>_id` like its other link tables.
-- cascade.rs removes a comment's links itself, as Zou does; the cascades
-- here are a safety net.

CREATE TABLE comment_mentions (
    seq BIGSERIAL NOT NULL,
    comment_id UUID NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    person_id UUID NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    UNIQUE (comment_id, person_id)
);
CREATE INDEX comment_mentions_person_id_idx ON comment_mentions (person_id);

CREATE TABLE comment_department_mentions (
    seq BIGSERIAL NOT NULL,
    comment_id UUID NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    department_id UUID NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
    UNIQUE (comment_id, department_id)
);
CREATE INDEX comment_department_mentions_department_id_idx ON comment_department_mentions (department_id);

CREATE TABLE comment_acknoledgments (
    seq BIGSERIAL NOT NULL,
    comment_id UUID NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    person_id UUID NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    UNIQUE (comment_id, person_id)
);
CREATE INDEX comment_acknoledgments_person_id_idx ON comment_acknoledgments (person_id);
