-- aws_lambda 1.0, the test stand-in for Aurora PostgreSQL's extension of that
-- name. aws_lambda.invoke has Aurora's four overloads (function name as text
-- or as aws_commons._lambda_function_arn_1, payload as json or jsonb), so a
-- call that would be ambiguous on Aurora is ambiguous here too. Each call is
-- recorded in aws_lambda.invocations for the tests to read.
\echo Use "CREATE EXTENSION aws_lambda CASCADE" to load this file. \quit

CREATE TABLE aws_lambda.invocations (
	id bigserial PRIMARY KEY,
	function_name text NOT NULL,
	region text,
	payload jsonb,
	invocation_type text NOT NULL,
	log_type text,
	context jsonb,
	qualifier varchar(128),
	invoked_at timestamptz NOT NULL DEFAULT now()
);

-- Records a call and answers as Lambda would: 202 for Event, 204 for DryRun,
-- 200 for RequestResponse; other invocation types are refused, as by Aurora.
CREATE FUNCTION aws_lambda.record(function_name text, region text, payload jsonb, invocation_type text,
				  log_type text, context jsonb, qualifier varchar(128))
RETURNS int
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $body$
BEGIN
	IF invocation_type NOT IN ('RequestResponse', 'Event', 'DryRun') THEN
		RAISE EXCEPTION 'invalid invocation type: %', invocation_type;
	END IF;
	INSERT INTO aws_lambda.invocations (function_name, region, payload, invocation_type, log_type, context, qualifier)
	VALUES (function_name, region, payload, invocation_type, log_type, context, qualifier);
	RETURN CASE invocation_type WHEN 'Event' THEN 202 WHEN 'DryRun' THEN 204 ELSE 200 END;
END
$body$;

CREATE FUNCTION aws_lambda.invoke(IN function_name text, IN payload json, IN region text DEFAULT NULL,
				  IN invocation_type text DEFAULT 'RequestResponse', IN log_type text DEFAULT 'None',
				  IN context json DEFAULT NULL, IN qualifier varchar(128) DEFAULT NULL,
				  OUT status_code int, OUT payload json, OUT executed_version text, OUT log_result text)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog
AS $body$ SELECT aws_lambda.record($1, $3, $2::jsonb, $4, $5, $6::jsonb, $7), NULL::json, '$LATEST', NULL::text $body$;

CREATE FUNCTION aws_lambda.invoke(IN function_name aws_commons._lambda_function_arn_1, IN payload json,
				  IN invocation_type text DEFAULT 'RequestResponse', IN log_type text DEFAULT 'None',
				  IN context json DEFAULT NULL, IN qualifier varchar(128) DEFAULT NULL,
				  OUT status_code int, OUT payload json, OUT executed_version text, OUT log_result text)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog
AS $body$
	SELECT aws_lambda.record(($1).function_name, ($1).region, $2::jsonb, $3, $4, $5::jsonb, $6),
	       NULL::json, '$LATEST', NULL::text
$body$;

CREATE FUNCTION aws_lambda.invoke(IN function_name text, IN payload jsonb, IN region text DEFAULT NULL,
				  IN invocation_type text DEFAULT 'RequestResponse', IN log_type text DEFAULT 'None',
				  IN context jsonb DEFAULT NULL, IN qualifier varchar(128) DEFAULT NULL,
				  OUT status_code int, OUT payload jsonb, OUT executed_version text, OUT log_result text)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog
AS $body$ SELECT aws_lambda.record($1, $3, $2, $4, $5, $6, $7), NULL::jsonb, '$LATEST', NULL::text $body$;

CREATE FUNCTION aws_lambda.invoke(IN function_name aws_commons._lambda_function_arn_1, IN payload jsonb,
				  IN invocation_type text DEFAULT 'RequestResponse', IN log_type text DEFAULT 'None',
				  IN context jsonb DEFAULT NULL, IN qualifier varchar(128) DEFAULT NULL,
				  OUT status_code int, OUT payload jsonb, OUT executed_version text, OUT log_result text)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog
AS $body$
	SELECT aws_lambda.record(($1).function_name, ($1).region, $2, $3, $4, $5, $6), NULL::jsonb, '$LATEST', NULL::text
$body$;

-- As on Aurora, only the user who installed the extension (there the
-- rds_superuser) may invoke until it grants others.
REVOKE ALL ON FUNCTION aws_lambda.record(text, text, jsonb, text, text, jsonb, varchar) FROM PUBLIC;
REVOKE ALL ON FUNCTION aws_lambda.invoke(text, json, text, text, text, json, varchar) FROM PUBLIC;
REVOKE ALL ON FUNCTION aws_lambda.invoke(aws_commons._lambda_function_arn_1, json, text, text, json, varchar) FROM PUBLIC;
REVOKE ALL ON FUNCTION aws_lambda.invoke(text, jsonb, text, text, text, jsonb, varchar) FROM PUBLIC;
REVOKE ALL ON FUNCTION aws_lambda.invoke(aws_commons._lambda_function_arn_1, jsonb, text, text, jsonb, varchar) FROM PUBLIC;
GRANT USAGE ON SCHEMA aws_lambda TO @extowner@;
GRANT EXECUTE ON FUNCTION aws_lambda.invoke(text, json, text, text, text, json, varchar) TO @extowner@;
GRANT EXECUTE ON FUNCTION aws_lambda.invoke(aws_commons._lambda_function_arn_1, json, text, text, json, varchar) TO @extowner@;
GRANT EXECUTE ON FUNCTION aws_lambda.invoke(text, jsonb, text, text, text, jsonb, varchar) TO @extowner@;
GRANT EXECUTE ON FUNCTION aws_lambda.invoke(aws_commons._lambda_function_arn_1, jsonb, text, text, jsonb, varchar) TO @extowner@;
