"""Outside agencies' written requests for ALPR data (Minn. Stat. 13.824
subd. 4; DESIGN.md flow 6): the letter, the request it becomes, the
chief's decision and the release."""
