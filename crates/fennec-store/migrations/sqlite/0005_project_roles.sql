-- A person's role on one production only (Zou's ProjectPersonLink.role);
-- NULL keeps the person's global role there.
ALTER TABLE project_person_link ADD COLUMN role TEXT;
