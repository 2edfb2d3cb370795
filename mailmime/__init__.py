"""Reading MIME mail as real clients write it: a library below the kernel (no Flask, no database).

``charset`` decodes text whose label lies; ``parts`` walks a message's tree (signed, encrypted,
TNEF, forwarded); ``cms`` reads and verifies S/MIME signatures; ``tnef`` opens ``winmail.dat``.
``portal.mail.inbound`` uses them to turn an officer's reply into an answer.
"""
