-- aws_commons 1.0, the test stand-in for Aurora PostgreSQL's extension of
-- that name: only what aws_lambda needs, with Aurora's signatures.
\echo Use "CREATE EXTENSION aws_commons" to load this file. \quit

-- Aurora does not document the fields; these two are what the
-- constructor takes.
CREATE TYPE aws_commons._lambda_function_arn_1 AS (function_name text, region text);

CREATE FUNCTION aws_commons.create_lambda_function_arn(function_name text, region text DEFAULT NULL)
RETURNS aws_commons._lambda_function_arn_1
LANGUAGE sql IMMUTABLE
AS $body$ SELECT ROW($1, $2)::aws_commons._lambda_function_arn_1 $body$;

GRANT USAGE ON SCHEMA aws_commons TO PUBLIC;
