-- Q2 as sent: the brands page (service role: every brand not archived).
SELECT "brands".* FROM "brands" WHERE "brands"."archived_at" IS NULL ORDER BY "brands"."name" ASC, "brands"."id" ASC LIMIT 21
