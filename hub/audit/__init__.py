"""The biennial audit (Minn. Stat. 13.824 subd. 6): the report the hub
produces for the independent auditor, and its distribution."""
