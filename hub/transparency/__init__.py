"""The public's view: the log of use Minn. Stat. 13.824 subd. 5 requires,
the cameras and their locations, and the rules the agency works under —
computed from the stored records by the aggregation job, never typed in."""
