from marshmallow import Schema, fields

from hub.settings.services import DEFINITIONS

SettingsSchema = Schema.from_dict({key: fields.Str() for key in DEFINITIONS}, name="SettingsSchema")
