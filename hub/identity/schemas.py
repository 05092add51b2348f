from marshmallow import Schema, fields

from hub.identity.roles import OrganisationKind, Role


class OrganisationSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    kind = fields.Enum(OrganisationKind, by_value=True)


class UserSchema(Schema):
    id = fields.Int()
    username = fields.Str()
    display_name = fields.Str()
    role = fields.Enum(Role, by_value=True)
    organisation = fields.Nested(OrganisationSchema)
    second_factor = fields.Bool(attribute="has_second_factor")


class ReasonSchema(Schema):
    rule = fields.Str()
    cite = fields.Str()
    message = fields.Str()


class DataAccessSchema(Schema):
    allowed = fields.Bool()
    reasons = fields.List(fields.Nested(ReasonSchema))


class MeSchema(Schema):
    user = fields.Nested(UserSchema)
    data_access = fields.Nested(DataAccessSchema)
