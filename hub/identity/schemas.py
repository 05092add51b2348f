from marshmallow import Schema, fields


class OrganisationSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    kind = fields.Function(lambda o: o.kind.value)


class UserSchema(Schema):
    id = fields.Int()
    username = fields.Str()
    display_name = fields.Str()
    role = fields.Function(lambda u: u.role.value)
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
