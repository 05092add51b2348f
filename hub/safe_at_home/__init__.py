"""Address Confidentiality Program ("Safe at Home") destruction requests
(Minn. Stat. 13.824 subd. 3): past reads destroyed, future reads dropped at
collection. Only records staff see that a request exists."""
