-- The two databases of deploy/majorwatch.env, owned by the role the compose file's postgres service creates.
CREATE DATABASE majorwatch_review OWNER majorwatch;
CREATE DATABASE majorwatch_dagster OWNER majorwatch;
