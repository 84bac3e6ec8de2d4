/**
 * DMC finger MJCF, written for pgvar from the fact sheet (spec dmc.md §6.5): Euler at 0.01 s,
 * elliptic cones, 200 iterations, gravity off; a two-link finger (proximal hinge with ref −90°)
 * flicks a free spinner with friction loss; sensors in dm_control's order.
 */
export const DMC_FINGER_XML = `<mujoco model="finger">
  <option timestep="0.01" cone="elliptic" iterations="200">
    <flag gravity="disable"/>
  </option>
  <default>
    <geom solimp="0 0.9 0.01" solref="0.02 1"/>
    <joint type="hinge" axis="0 -1 0"/>
    <motor ctrlrange="-1 1" ctrllimited="true"/>
    <default class="finger">
      <joint damping="2.5" limited="true"/>
      <site type="ellipsoid" size="0.025 0.03 0.025"/>
    </default>
  </default>
  <worldbody>
    <geom name="ground" type="plane" pos="0 0 0" size="0.6 0.2 10"/>
    <site name="target" type="sphere" pos="0 0 0.4" size="0.03"/>
    <body name="proximal" pos="-0.2 0 0.4" childclass="finger">
      <geom name="proximal_decoration" type="cylinder" fromto="0 -0.033 0 0 0.033 0" size="0.034"/>
      <joint name="proximal" range="-110 110" ref="-90"/>
      <geom name="proximal" type="capsule" fromto="0 0 0 0 0 -0.17" size="0.03"/>
      <body name="distal" pos="0 0 -0.18" childclass="finger">
        <joint name="distal" range="-110 110"/>
        <geom name="distal" type="capsule" fromto="0 0 0 0 0 -0.16" size="0.028" contype="0" conaffinity="0"/>
        <geom name="fingertip" type="capsule" fromto="0 0 -0.13 0 0 -0.161" size="0.03"/>
        <site name="touchtop" pos="0.01 0 -0.17"/>
        <site name="touchbottom" pos="-0.01 0 -0.17"/>
      </body>
    </body>
    <body name="spinner" pos="0.2 0 0.4">
      <joint name="hinge" frictionloss="0.1" damping="0.5"/>
      <geom name="cap1" type="capsule" size="0.04 0.09" pos="0.02 0 0"/>
      <geom name="cap2" type="capsule" size="0.04 0.09" pos="-0.02 0 0"/>
      <site name="tip" type="sphere" size="0.02" pos="0 0 0.13"/>
      <geom name="spinner_decoration" type="cylinder" fromto="0 -0.045 0 0 0.045 0" size="0.02"/>
    </body>
  </worldbody>
  <actuator>
    <motor name="proximal" joint="proximal" gear="30"/>
    <motor name="distal" joint="distal" gear="15"/>
  </actuator>
  <sensor>
    <jointpos name="proximal" joint="proximal"/>
    <jointpos name="distal" joint="distal"/>
    <jointvel name="proximal_velocity" joint="proximal"/>
    <jointvel name="distal_velocity" joint="distal"/>
    <jointvel name="hinge_velocity" joint="hinge"/>
    <framepos name="tip" objtype="site" objname="tip"/>
    <framepos name="target" objtype="site" objname="target"/>
    <framepos name="spinner" objtype="xbody" objname="spinner"/>
    <touch name="touchtop" site="touchtop"/>
    <touch name="touchbottom" site="touchbottom"/>
    <framepos name="touchtop_pos" objtype="site" objname="touchtop"/>
    <framepos name="touchbottom_pos" objtype="site" objname="touchbottom"/>
  </sensor>
</mujoco>
`;
