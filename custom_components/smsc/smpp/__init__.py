"""SMPP for SMSC without Home Assistant: session, composition, receipts and SMSC's rules."""
