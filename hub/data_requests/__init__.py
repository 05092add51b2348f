"""Outside agencies' written data requests (Minn. Stat. 13.824 subd. 4 and
the department policies that implement it): intake by form, API or scanned
letter, routing, the chief's decision, the release package and its delivery,
and the packages this hub receives from its neighbours."""
