// meter_information_file.xsd, the schema member of every KEM download: the same bytes as
// docs/schemas/meter_information_file.xsd (a test compares them), here so that the compiled
// service needs no file beside it.

export const METER_INFORMATION_XSD_NAME = 'meter_information_file.xsd';

export const METER_INFORMATION_XSD = `<?xml version="1.0" encoding="utf-8"?>
<!-- The decrypted content of a KEM file openeks writes (docs/downloads.md "KEM"): the MetersInOrder
     document of Kamstrup's key files, one Meter per device, its keys in EncKeys under their type's name. -->
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:simpleType name="HexKey">
    <xs:restriction base="xs:string">
      <xs:pattern value="[0-9A-F]{32}|[0-9A-F]{64}"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:element name="MetersInOrder">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Meter" minOccurs="0" maxOccurs="unbounded">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="MeterNo" type="xs:string"/>
              <xs:element name="SerialNo" type="xs:string"/>
              <xs:element name="EncKeys">
                <xs:complexType>
                  <xs:choice minOccurs="0" maxOccurs="unbounded">
                    <xs:element name="DEK" type="HexKey"/>
                    <xs:element name="GPK1" type="HexKey"/>
                    <xs:element name="GPK2" type="HexKey"/>
                    <xs:element name="GPK3" type="HexKey"/>
                    <xs:element name="GPK4" type="HexKey"/>
                    <xs:element name="GUEK" type="HexKey"/>
                    <xs:element name="GBEK" type="HexKey"/>
                    <xs:element name="GAK" type="HexKey"/>
                    <xs:element name="KEK" type="HexKey"/>
                    <xs:element name="OPTICAL" type="HexKey"/>
                  </xs:choice>
                </xs:complexType>
              </xs:element>
              <xs:element name="MeterName" type="xs:string"/>
              <xs:element name="ConsumptionType" type="xs:string"/>
              <xs:element name="ConfigNo" type="xs:string"/>
              <xs:element name="ProgramNo" type="xs:string"/>
              <xs:element name="TypeNo" type="xs:string"/>
              <xs:element name="VendorId" type="xs:string"/>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
      <xs:attribute name="orderid" type="xs:string" use="required"/>
      <xs:attribute name="schemaVersion" type="xs:string" use="required"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
`;
