-- mig:up
CREATE TABLE tags (
  bookmark_id INTEGER NOT NULL REFERENCES bookmarks (id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (bookmark_id, tag)
);
CREATE INDEX tags_tag ON tags (tag);

-- mig:down
DROP INDEX tags_tag;
DROP TABLE tags;
