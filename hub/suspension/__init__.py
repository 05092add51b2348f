"""The state's suspension of the agency's use of its readers (Minn. Stat.
13.824 subd. 6): the order on record, and the one question every use asks."""
