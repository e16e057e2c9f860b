-- 0014 operator usernames are unique per partner, not across the service: creating an
-- operator never tells one partner that another partner has a username, and a login names
-- its partner (POST /operators/login {partner, username, password}), so failures of one
-- partner's logins can never lock out another partner's operator.
BEGIN;

ALTER TABLE operators DROP CONSTRAINT operators_username_key;
CREATE UNIQUE INDEX operators_partner_username ON operators (partner_id, username);

INSERT INTO schema_migrations (version, name) VALUES (14, '0014_operator_usernames_per_partner');
COMMIT;
