"""SNMP polling on gufo-snmp: sessions from inventory profiles, IF-MIB, rates, vendor profiles."""
