-- 0021 webhook secret key ring: a sealed secret now starts with the id of the master key
-- that sealed it ('k' + 4 bytes, bound into the seal; OTACrypto's SecretKeyring), so the
-- gateway and worker open it with that key of OTA_WEBHOOK_SECRET_KEY and
-- OTA_WEBHOOK_SECRET_OLD_KEYS. Values sealed before (nonce || ciphertext || tag, 60 bytes)
-- stay valid until `ota-admin webhook reseal` rewrites them.
BEGIN;

ALTER TABLE webhook_endpoints
    DROP CONSTRAINT webhook_endpoints_secret_sealed_check,
    DROP CONSTRAINT webhook_endpoints_previous_secret_sealed_check,
    ADD CONSTRAINT webhook_endpoints_secret_sealed_check CHECK (length(secret_sealed) IN (60, 65)),
    ADD CONSTRAINT webhook_endpoints_previous_secret_sealed_check CHECK (length(previous_secret_sealed) IN (60, 65));

INSERT INTO schema_migrations (version, name) VALUES (21, '0021_webhook_secret_keyring');
COMMIT;
