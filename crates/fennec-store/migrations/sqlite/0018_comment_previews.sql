-- Zou 1.0.97's `comment_preview_link` (issue 14): the preview files a
-- comment carries (gazu's add_preview attaches one to a comment, Kitsu
-- shows them on the comment). Fennec names the columns `<model>_id` like
-- its other link tables. Both keys cascade: a removed comment or preview
-- takes its links.

CREATE TABLE comment_preview_links (
    seq INTEGER PRIMARY KEY,
    comment_id BLOB NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    preview_file_id BLOB NOT NULL REFERENCES preview_files(id) ON DELETE CASCADE,
    UNIQUE (comment_id, preview_file_id)
);
CREATE INDEX comment_preview_links_preview_file_id_idx ON comment_preview_links (preview_file_id);
